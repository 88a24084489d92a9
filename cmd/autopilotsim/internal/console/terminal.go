package console

import (
	"io"

	"golang.org/x/term"
)

// Terminal reports whether w is a terminal, and its width in columns (80
// when it cannot be read).
func Terminal(w io.Writer) (width int, ok bool) {
	f, isFile := w.(interface{ Fd() uintptr })
	if !isFile {
		return 0, false
	}
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return 0, false
	}
	if width, _, err := term.GetSize(fd); err == nil && width > 0 {
		return width, true
	}
	return 80, true
}
