"""Network evidence from devices: router and firewall configurations (backups the agency keeps,
or collected live), parsed per vendor into one normalised network fact bundle, secrets removed
before anything reads them (issue 14; the controls that judge them come next)."""
