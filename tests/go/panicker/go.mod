module memtop.test/panicker

go 1.19
