headroom catalog --kind lbb
