headroom queue --arrival 100/s --service 20ms --servers 2
