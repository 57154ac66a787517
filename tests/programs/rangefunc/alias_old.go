//go:build !go1.24

package main

func aliasDemo() string { return "k7 2" }
