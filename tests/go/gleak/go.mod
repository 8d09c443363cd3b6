module memtop.test/gleak

go 1.19
