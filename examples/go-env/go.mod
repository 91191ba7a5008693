module example.com/deploymind/go-env

go 1.19
