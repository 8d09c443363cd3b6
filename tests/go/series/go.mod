module memtop.test/series

go 1.19
