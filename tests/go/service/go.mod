module memtop.test/service

go 1.19
