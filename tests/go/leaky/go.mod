module memtop.test/leaky

go 1.19
