//! Lists a page at a time: a province's installation holds thousands of trainings, and a page
//! that lists them all is megabytes on a slow connection. `?halaman=N` picks the page; a value
//! that is not a page number reads as the first page rather than an error, since it usually
//! comes from an old bookmark.

/// Rows per page of a list.
pub const PAGE_SIZE: i64 = 50;

/// The page asked for, 1-based.
pub fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// What a list page shows under its table: where it is and the links around it.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// 1-based numbers of the first and last row shown (0 and 0 when there are none).
    pub first: i64,
    pub last: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the list's address with its other query parameters, e.g. `/pelatihan?cari=las`.
    pub fn new(base: &str, page: i64, total: i64) -> Self {
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let link = |n: i64| {
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}halaman={n}")
        };
        let first = if total == 0 {
            0
        } else {
            (page - 1) * PAGE_SIZE + 1
        };
        Pager {
            page,
            pages,
            total,
            first,
            last: (page * PAGE_SIZE).min(total),
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// The offset of this page's first row.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * PAGE_SIZE
    }

    /// Whether there is more than one page, so the links are worth showing.
    pub fn several(&self) -> bool {
        self.pages > 1
    }
}

/// `path` with the non-empty `params` as its query string, e.g. `/pelatihan?cari=teknik+las`.
pub fn address(path: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_and_linked_with_the_other_parameters() {
        let p = Pager::new("/pelatihan?cari=las", 2, 120);
        assert_eq!((p.page, p.pages, p.first, p.last), (2, 3, 51, 100));
        assert_eq!(p.prev.as_deref(), Some("/pelatihan?cari=las&halaman=1"));
        assert_eq!(p.next.as_deref(), Some("/pelatihan?cari=las&halaman=3"));
        let last = Pager::new("/tugas", 9, 120);
        assert_eq!((last.page, last.first, last.last), (3, 101, 120));
        assert_eq!(last.next, None);
        assert_eq!(last.offset(), 100);
        let none = Pager::new("/tugas", 1, 0);
        assert_eq!((none.pages, none.first, none.last), (1, 0, 0));
        assert!(!none.several());
    }

    #[test]
    fn addresses_keep_only_what_was_given() {
        assert_eq!(
            address("/pelatihan", &[("cari", ""), ("status", "")]),
            "/pelatihan"
        );
        assert_eq!(
            address(
                "/pelatihan",
                &[("cari", "teknik las & co"), ("status", "selesai")]
            ),
            "/pelatihan?cari=teknik+las+%26+co&status=selesai"
        );
    }

    #[test]
    fn a_page_that_is_not_a_number_is_the_first() {
        assert_eq!(page_number(Some("3")), 3);
        assert_eq!(page_number(Some("0")), 1);
        assert_eq!(page_number(Some("-2")), 1);
        assert_eq!(page_number(Some("tiga")), 1);
        assert_eq!(page_number(None), 1);
    }
}
