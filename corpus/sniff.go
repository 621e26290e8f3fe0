package corpus

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// sniffLen is how much of the start of a file notText inspects.
const sniffLen = 8 << 10

// binaryMagic are the leading bytes of common binary formats, which are
// never articles whatever their extension.
var binaryMagic = []struct{ prefix, kind string }{
	{"\x7fELF", "an ELF executable"},
	{"\xcf\xfa\xed\xfe", "a Mach-O executable"},
	{"\xfe\xed\xfa\xcf", "a Mach-O executable"},
	{"\xca\xfe\xba\xbe", "a Mach-O or Java class file"},
	{"PK\x03\x04", "a ZIP archive (or .docx, .xlsx, .epub)"},
	{"PK\x05\x06", "an empty ZIP archive"},
	{"\x1f\x8b", "a gzip archive"},
	{"\x28\xb5\x2f\xfd", "a zstd archive"},
	{"\xfd7zXZ\x00", "an xz archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"Rar!\x1a\x07", "a RAR archive"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE document (.doc, .xls)"},
	{"%PDF-", "a PDF document (PDF is not supported; export the text)"},
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"SQLite format 3\x00", "an SQLite database"},
}

// notText returns an error when data, the start of a file, is not text:
// it starts like a known binary format, holds a NUL byte, is UTF-16, or
// more than a small share of its bytes are control characters or invalid
// UTF-8. Legacy 8-bit text (Windows-1252) passes: accented letters are a
// small share of any text. Only the first sniffLen bytes are inspected.
// allowUTF16 lets a UTF-16 byte-order mark through (HTML declares and
// decodes its charset).
func notText(data []byte, allowUTF16 bool) error {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return fmt.Errorf("not text: %s; skipped", m.kind)
		}
	}
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		if allowUTF16 {
			return nil
		}
		return fmt.Errorf("not text: UTF-16 (save it as UTF-8); skipped")
	}
	if len(data) > sniffLen {
		data = data[:sniffLen]
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return fmt.Errorf("not text: NUL bytes in the first %d bytes; skipped", len(data))
	}
	var control, invalid int
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) || c == 0x7f {
				control++
			}
			i++
			continue
		}
		r, w := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && w == 1 && len(data)-i >= utf8.UTFMax {
			// A rune cut by the end of the sample is not counted.
			invalid++
		}
		i += w
	}
	// Text has few control characters; Windows-1252 text has an invalid
	// UTF-8 byte per accented letter, far below a third of its bytes.
	if control*20 > len(data) {
		return fmt.Errorf("not text: %d control bytes in the first %d; skipped", control, len(data))
	}
	if invalid*3 > len(data) {
		return fmt.Errorf("not text: %d of the first %d bytes are not UTF-8; skipped", invalid, len(data))
	}
	return nil
}
