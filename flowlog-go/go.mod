module flowlog.local/flowlog

go 1.19
