# weekly, rotate 13: 14 weeks on disk (over 90 days)
true
