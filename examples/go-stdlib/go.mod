module example.com/deploymind/go-stdlib

go 1.19
