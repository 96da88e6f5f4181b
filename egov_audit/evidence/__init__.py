"""Evidence, at the bottom of the house: the shape every kind reads into (`model`), the
evidence folder's format (`formats`, `folder`, `job_events`), the evidence-kind interface and
the host facts kind (`kind`), and the host facts' readers (`host_facts`). Collectors write
evidence, kinds read it, checks judge it; none of them is imported here."""
