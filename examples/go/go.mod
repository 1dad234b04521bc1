module example.invalid/flowlog

go 1.19
