module memtop.test/expvar

go 1.19
