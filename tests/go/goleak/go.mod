module memtop.test/goleak

go 1.19
