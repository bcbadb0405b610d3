headroom queue --arrival 80/s --service 20ms --servers 2
