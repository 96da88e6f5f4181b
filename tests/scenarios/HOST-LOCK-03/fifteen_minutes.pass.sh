# unlock_time = 900
true
