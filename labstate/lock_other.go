//go:build !unix

package labstate

import (
	"errors"
	"os"
)

func lockDir(string) (*os.File, error) {
	return nil, errors.New("locking a state directory needs flock (Linux, macOS, BSD)")
}

func unlockDir(f *os.File) error { return f.Close() }
