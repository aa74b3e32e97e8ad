# Turns examples/permanence.toml into the SD image's /etc/permanence/permanence.toml:
# the first [[lines]] block drives the SIM7600E-H HAT through its udev names (firmware/udev).
# Only the first occurrence of each key is changed (the first line block).
0,/^driver = "sim"$/s//driver = "gsm"/
0,/^port = ""$/s##port = "/dev/permanence/sim7600-at"#
0,/^audio_port = ""$/s##audio_port = "/dev/permanence/sim7600-audio"#
0,/^sms_port = ""$/s##sms_port = "/dev/permanence/sim7600-at2"#
0,/^model = "auto"$/s//model = "sim7600"/
0,/^# power_gpio = 6$/s//power_gpio = 6/
