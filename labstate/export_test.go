package labstate

// JournalBytes frames records as a journal file holds them, for specs that
// write a journal Append would refuse to write.
func JournalBytes(recs ...Record) ([]byte, error) {
	b := header(journalMagic)
	for _, r := range recs {
		p, err := r.Encode()
		if err != nil {
			return nil, err
		}
		b = appendFrame(b, p)
	}
	return b, nil
}
