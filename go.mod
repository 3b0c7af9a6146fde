module github.com/gostash/gostash

go 1.26.8
