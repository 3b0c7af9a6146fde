// Package all registers every plugin gostash ships; the CLI imports it.
package all
