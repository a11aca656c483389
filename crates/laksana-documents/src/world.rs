//! The Typst [`World`]: one in-memory main source, a few virtual files, and the fonts shipped
//! with `typst-assets`.
//!
//! Nothing is read from the file system or the network and no system font is looked up, so a
//! document renders the same on every machine. The standard library and the fonts are built
//! once per process ([`LazyLock`]) and shared by every render; only the source and the input
//! files are per document.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Fonts and the font book, parsed once.
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// Interns an absolute virtual path such as `/inputs.json` as a file id of the project root.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a valid absolute virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One document's world: its main source and the data files it may read.
pub struct DocWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl DocWorld {
    /// A world whose main file is `source` (at `/main.typ`) and which serves `files`
    /// (absolute virtual paths, e.g. `("/inputs.json", bytes)`).
    pub fn new<P: AsRef<str>>(
        source: &str,
        files: impl IntoIterator<Item = (P, Vec<u8>)>,
    ) -> DocWorld {
        DocWorld {
            main: Source::new(file_id("/main.typ"), source.to_string()),
            files: files
                .into_iter()
                .map(|(path, data)| (file_id(path.as_ref()), Bytes::new(data)))
                .collect(),
        }
    }

    /// Forces the fonts and the standard library to be built now rather than on first render.
    pub fn warm_up() {
        LazyLock::force(&FONTS);
        LazyLock::force(&LIBRARY);
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    // Documents carry their dates as data; `datetime.today()` is deliberately unavailable so
    // that the same inputs always give the same PDF.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
