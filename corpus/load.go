package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// MaxFileSize is the default largest article (see DefaultMaxArticleSize):
// a .txt, .md or .html file over it is skipped with a warning. A .json or
// .jsonl export may be larger; the limit then applies to each entry.
const MaxFileSize = 20 << 20

// LoadOptions tune LoadPathContext. The zero value is the default.
type LoadOptions struct {
	// ExtractTimeout bounds the text extraction of one HTML page; a page
	// that takes longer is skipped with a warning. 0 means
	// DefaultExtractTimeout.
	ExtractTimeout time.Duration

	// FollowSymlinks follows symbolic links found inside a directory being
	// loaded, but only to regular files inside that same directory (the
	// walk is confined with os.Root: a link that leads out of it, by an
	// absolute target or "..", is skipped with a warning). Links to
	// directories are never followed. Without it every link inside a
	// directory is skipped with a warning. A path named to LoadPathContext
	// is always followed (as find -H does), subject to the checks below.
	//
	// Whatever the options, only regular files are read and nothing below
	// /proc, /sys or /dev is ever loaded.
	FollowSymlinks bool

	// MaxArticleSize is the largest article read, in bytes: a whole .txt,
	// .md or .html file, one line of a .jsonl export or one entry of a
	// .json array. A bigger file, line or entry is skipped with a warning
	// (the other entries of an export still load). 0 means
	// DefaultMaxArticleSize.
	MaxArticleSize int64

	// MaxExportSize is the largest .json or .jsonl file read. Exports are
	// read entry by entry, never whole, so this only stops a runaway file.
	// 0 means DefaultMaxExportSize.
	MaxExportSize int64
}

// forbiddenRoots hold pseudo-files (process environment, kernel state,
// devices) that must never be read as articles.
var forbiddenRoots = []string{"/proc", "/sys", "/dev"}

// forbidden returns the forbidden root that holds the absolute, resolved
// path p, or "".
func forbidden(p string) string {
	if filepath.Separator != '/' {
		return ""
	}
	for _, r := range forbiddenRoots {
		if p == r || strings.HasPrefix(p, r+"/") {
			return r
		}
	}
	return ""
}

// resolve returns the absolute path of p with every symbolic link
// resolved, and an error when it lies below /proc, /sys or /dev.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	if r := forbidden(resolved); r != "" {
		return "", fmt.Errorf("%s is below %s; never loaded", resolved, r)
	}
	return resolved, nil
}

// tree is a file tree being loaded.
type tree struct {
	fsys fs.FS
	// open opens a file of fsys for reading.
	open func(string) (fs.File, error)
	// stat follows a symbolic link without leaving the tree; nil means
	// links are never followed.
	stat func(string) (fs.FileInfo, error)
	// display turns an fs path into the path shown in Article.Path and
	// warnings.
	display func(string) string
	// abs turns an fs path into its absolute path on disk; nil for a
	// tree that is not on disk.
	abs func(string) string
}

// LoadFS loads every supported file below root in fsys (root may also name
// a single file) and returns the articles sorted by ID.
//
// Problems with single files (unsupported extension, unreadable, too large,
// malformed, no text after cleaning, duplicate ID) do not stop the load:
// the file or entry is skipped and a warning, wrapped as "load PATH: ...",
// is returned. Files and directories whose name starts with "." and
// README.md files are ignored silently. err is non-nil only when root
// itself cannot be read; an empty directory gives no articles and no error.
//
// Symbolic links in fsys are skipped with a warning.
func LoadFS(fsys fs.FS, root string) (articles []Article, warnings []error, err error) {
	t := tree{fsys: fsys, open: fsys.Open, display: func(p string) string { return p }}
	return loadFS(context.Background(), LoadOptions{}, t, root)
}

// LoadDir loads every supported file below the directory dir (see LoadFS).
// Article.Path and warnings name files by their path below dir.
func LoadDir(dir string) ([]Article, []error, error) {
	return loadDir(context.Background(), LoadOptions{}, dir)
}

func loadDir(ctx context.Context, opt LoadOptions, dir string) ([]Article, []error, error) {
	resolved, err := resolve(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("load %s: not a directory", dir)
	}
	// os.Root confines every open to the directory: a symbolic link (or a
	// directory swapped for one mid-walk) cannot lead outside it.
	root, err := os.OpenRoot(resolved)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	defer root.Close()
	t := tree{
		fsys: root.FS(),
		open: func(p string) (fs.File, error) {
			return root.OpenFile(filepath.FromSlash(p), os.O_RDONLY|syscall.O_NONBLOCK, 0)
		},
		display: func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) },
		abs:     func(p string) string { return filepath.Join(resolved, filepath.FromSlash(p)) },
	}
	if opt.FollowSymlinks {
		t.stat = func(p string) (fs.FileInfo, error) { return root.Stat(filepath.FromSlash(p)) }
	}
	return loadFS(ctx, opt, t, ".")
}

// openNonblock opens a file for reading without blocking: opening a FIFO
// for reading would otherwise wait for a writer forever. Callers check
// the opened file's mode.
func openNonblock(name string) (fs.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// LoadPath loads a directory (as LoadDir) or a single file. For a file
// named explicitly, an unsupported extension or a file that cannot be
// parsed at all is an error, not a warning. p itself may be a symbolic
// link; links inside a directory are skipped (see LoadOptions).
func LoadPath(p string) ([]Article, []error, error) {
	return LoadPathContext(context.Background(), p, LoadOptions{})
}

// LoadPathContext is LoadPath that stops when ctx is done: it then returns
// an error wrapping ctx.Err(). opt bounds the work spent on one file.
func LoadPathContext(ctx context.Context, p string, opt LoadOptions) ([]Article, []error, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", p, err)
	}
	if st.IsDir() {
		return loadDir(ctx, opt, p)
	}
	resolved, err := resolve(p)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", p, err)
	}
	arts, warns, err := readFile(ctx, opt, openNonblock, resolved, p)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", p, err)
	}
	for i, w := range warns {
		warns[i] = fmt.Errorf("load %s: %w", p, w)
	}
	arts, dupWarns := dedupe(arts)
	sortArticles(arts)
	return arts, append(warns, dupWarns...), nil
}

// loadFS walks root in t.
func loadFS(ctx context.Context, opt LoadOptions, t tree, root string) ([]Article, []error, error) {
	display, open := t.display, t.open
	st, err := fs.Stat(t.fsys, root)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", display(root), err)
	}
	var arts []Article
	var warns []error
	if !st.IsDir() {
		arts, warns, err = loadFile(ctx, opt, open, root, display(root))
		if err != nil {
			return nil, nil, fmt.Errorf("load %s: %w", display(root), err)
		}
	} else {
		err = fs.WalkDir(t.fsys, root, func(p string, d fs.DirEntry, err error) error {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if err != nil {
				if p == root {
					return err
				}
				warns = append(warns, fmt.Errorf("load %s: %w", display(p), err))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if p != root && ignored(d.Name()) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if t.abs != nil {
				if r := forbidden(t.abs(p)); r != "" {
					// Only when loading "/" or the like.
					warns = append(warns, fmt.Errorf("load %s: below %s; never loaded", display(p), r))
					if d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
			}
			if d.IsDir() {
				return nil
			}
			mode := d.Type()
			if mode&fs.ModeSymlink != 0 {
				if t.stat == nil {
					warns = append(warns, fmt.Errorf("load %s: %w", display(p), errSymlink))
					return nil
				}
				fi, err := t.stat(p)
				if err != nil {
					warns = append(warns, fmt.Errorf("load %s: symbolic link not followed: %w", display(p), err))
					return nil
				}
				if fi.IsDir() {
					warns = append(warns, fmt.Errorf("load %s: symbolic link to a directory; not followed", display(p)))
					return nil
				}
				mode = fi.Mode()
			}
			if !mode.IsRegular() {
				// A FIFO, device or socket: opening or reading it may
				// block forever or never end.
				warns = append(warns, fmt.Errorf("load %s: %w", display(p), errNotRegular))
				return nil
			}
			a, w, err := loadFile(ctx, opt, open, p, display(p))
			if err != nil {
				return err
			}
			arts = append(arts, a...)
			warns = append(warns, w...)
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("load %s: %w", display(root), err)
		}
	}
	arts, dupWarns := dedupe(arts)
	sortArticles(arts)
	return arts, append(warns, dupWarns...), nil
}

// ignored reports names skipped silently: hidden files and directories
// (".git", ".DS_Store") and README.md.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.EqualFold(name, "README.md")
}

// loadFile reads and parses one file, turning every problem into a
// warning. Its error is non-nil only when ctx is done.
func loadFile(ctx context.Context, opt LoadOptions, open func(string) (fs.File, error), p, shown string) ([]Article, []error, error) {
	if _, ok := parsers[strings.ToLower(path.Ext(p))]; !ok {
		return nil, []error{fmt.Errorf("load %s: %w", shown, ErrUnsupported)}, nil
	}
	arts, warns, err := readFile(ctx, opt, open, p, shown)
	if cerr := ctx.Err(); cerr != nil {
		return nil, nil, cerr
	}
	if err != nil {
		return nil, []error{fmt.Errorf("load %s: %w", shown, err)}, nil
	}
	for i, w := range warns {
		warns[i] = fmt.Errorf("load %s: %w", shown, w)
	}
	return arts, warns, nil
}

// errNotRegular is the warning for FIFOs, devices, sockets and the like.
var errNotRegular = errors.New("not a regular file; skipped")

// errSymlink is the warning for a symbolic link inside a directory loaded
// without LoadOptions.FollowSymlinks.
var errSymlink = errors.New("symbolic link; skipped (links inside a directory are followed only on request)")

// readFile opens p and parses it as shown: a .json or .jsonl export is
// read article by article (see readStream), any other file whole, up to
// opt.MaxArticleSize. Warnings are not wrapped with shown.
func readFile(ctx context.Context, opt LoadOptions, open func(string) (fs.File, error), p, shown string) ([]Article, []error, error) {
	ext := strings.ToLower(path.Ext(shown))
	if !streamed(ext) {
		data, err := readLimited(open, p, opt.maxArticle())
		if err != nil {
			return nil, nil, err
		}
		return parse(ctx, opt, shown, data)
	}
	f, err := openRegular(open, p, opt.maxExport())
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	// A file that grows while it is read is cut at the limit.
	return readStream(ctx, opt, shown, ext, io.LimitReader(f, opt.maxExport()))
}

// openRegular opens a regular file of at most limit bytes. The mode and
// size are checked on the opened file, before reading, so a file swapped
// for a FIFO or device after a directory listing is still refused.
func openRegular(open func(string) (fs.File, error), p string, limit int64) (fs.File, error) {
	f, err := open(p)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, errNotRegular
	}
	if st.Size() > limit {
		f.Close()
		return nil, fmt.Errorf("file is larger than %d bytes; skipped", limit)
	}
	return f, nil
}

// readLimited reads a regular file of at most limit bytes (see
// openRegular).
func readLimited(open func(string) (fs.File, error), p string, limit int64) ([]byte, error) {
	f, err := openRegular(open, p, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is larger than %d bytes; skipped", limit)
	}
	return data, nil
}

// dedupe keeps the first article of each ID, in load order, and warns
// about the others.
func dedupe(arts []Article) ([]Article, []error) {
	seen := make(map[string]string, len(arts))
	out := arts[:0]
	var warns []error
	for _, a := range arts {
		if first, dup := seen[a.ID]; dup {
			warns = append(warns, fmt.Errorf("load %s: duplicate id %q (already loaded from %s); skipped", a.Path, a.ID, first))
			continue
		}
		seen[a.ID] = a.Path
		out = append(out, a)
	}
	return out, warns
}

func sortArticles(arts []Article) {
	slices.SortStableFunc(arts, func(a, b Article) int { return strings.Compare(a.ID, b.ID) })
}
