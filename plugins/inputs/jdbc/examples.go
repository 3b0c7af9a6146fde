package jdbc

import "github.com/gostash/gostash/runtime/plugin"

var examples []plugin.Example
