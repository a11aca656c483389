//! Where the bytes of stored files live: in the database (the content columns, the default), in
//! a folder, or in an S3-compatible bucket. Outside the database a file is named by its SHA-256
//! (content-addressed): the name is the checksum the row already records, so a write is
//! idempotent, two rows with the same bytes share one file, and a file can never be silently
//! swapped for another under the same name without `verify` seeing it.
//!
//! The order that keeps the database honest: a file is put into the store (and, for a folder,
//! fsynced and renamed into place) before the transaction whose row names it commits. A crash
//! between the two leaves at most an orphan file, never a row pointing at nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::{ClientOptions, ObjectStore, PutPayload, RetryConfig};

use crate::{Result, StoreError};

/// The `files` setting, parsed: `db`, `folder:/PATH` (or `file:///PATH`), or
/// `s3://BUCKET[/PREFIX]` with the S3 connection settings beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStoreSetting {
    Database,
    Folder(PathBuf),
    S3(S3Settings),
}

/// How to reach an S3-compatible server. Credentials are given here, not picked up from the
/// environment behind the configuration's back.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// Key prefix inside the bucket, without leading or trailing `/` (may be empty).
    pub prefix: String,
    /// e.g. `http://127.0.0.1:9000` for MinIO; None for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key`: what MinIO-like
    /// servers without wildcard DNS need.
    pub path_style: bool,
}

impl FileStoreSetting {
    /// Parses the `files` value. S3 connection details come separately (`s3`).
    pub fn parse(value: &str, s3: S3Settings) -> std::result::Result<Self, String> {
        let v = value.trim();
        if v.is_empty() || v == "db" {
            return Ok(FileStoreSetting::Database);
        }
        let folder = v
            .strip_prefix("folder:")
            .or_else(|| v.strip_prefix("file://"));
        if let Some(path) = folder {
            if !path.starts_with('/') {
                return Err(format!(
                    "\"{v}\": jalur folder harus mutlak, mis. folder:/var/lib/laksana/berkas"
                ));
            }
            return Ok(FileStoreSetting::Folder(PathBuf::from(path)));
        }
        if let Some(rest) = v.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!(
                    "\"{v}\": nama bucket kosong; tulis s3://BUCKET/AWALAN"
                ));
            }
            return Ok(FileStoreSetting::S3(S3Settings {
                bucket: bucket.to_string(),
                prefix: prefix.trim_matches('/').to_string(),
                ..s3
            }));
        }
        Err(format!(
            "\"{v}\" bukan db, folder:/JALUR, file:///JALUR atau s3://BUCKET/AWALAN"
        ))
    }

    pub fn is_database(&self) -> bool {
        matches!(self, FileStoreSetting::Database)
    }
}

/// An opened file store. Cheap to clone.
#[derive(Clone)]
pub struct FileStore {
    place: Arc<Place>,
}

enum Place {
    Database,
    Folder(PathBuf),
    S3 {
        client: Box<dyn ObjectStore>,
        prefix: String,
        shown: String,
        setting: String,
    },
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Retries are few and short: a page waiting on an unreachable store should say so within
/// seconds, not after the client's default three minutes of backoff.
const S3_RETRIES: usize = 2;
const S3_RETRY_TIMEOUT: Duration = Duration::from_secs(10);
const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const S3_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

impl FileStore {
    /// Files in the database's own content columns.
    pub fn database() -> FileStore {
        FileStore {
            place: Arc::new(Place::Database),
        }
    }

    /// Opens the store a setting names. A folder is created if missing; an S3 client is built
    /// (nothing is sent until the first file).
    pub fn open(setting: &FileStoreSetting) -> Result<FileStore> {
        let place = match setting {
            FileStoreSetting::Database => Place::Database,
            FileStoreSetting::Folder(root) => {
                std::fs::create_dir_all(root).map_err(|e| {
                    StoreError::FilesUnavailable(format!("membuat folder {}: {e}", root.display()))
                })?;
                Place::Folder(root.clone())
            }
            FileStoreSetting::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_virtual_hosted_style_request(!s3.path_style)
                    .with_retry(RetryConfig {
                        max_retries: S3_RETRIES,
                        retry_timeout: S3_RETRY_TIMEOUT,
                        ..Default::default()
                    })
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(S3_CONNECT_TIMEOUT)
                            .with_timeout(S3_REQUEST_TIMEOUT)
                            .with_allow_http(
                                s3.endpoint
                                    .as_deref()
                                    .is_some_and(|e| e.starts_with("http://")),
                            ),
                    );
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let Some(key) = &s3.access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = &s3.secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                let client = builder.build().map_err(|e| StoreError::Invalid {
                    field: "files",
                    message: format!("pengaturan S3 tidak sah: {e}"),
                })?;
                let shown = format!(
                    "s3://{}/{}{}",
                    s3.bucket,
                    s3.prefix,
                    s3.endpoint
                        .as_deref()
                        .map(|e| format!(" di {e}"))
                        .unwrap_or_default()
                );
                Place::S3 {
                    client: Box::new(client),
                    prefix: s3.prefix.clone(),
                    shown,
                    setting: format!("s3://{}/{}", s3.bucket, s3.prefix),
                }
            }
        };
        Ok(FileStore {
            place: Arc::new(place),
        })
    }

    /// True when the bytes stay in the database's content columns.
    pub fn in_database(&self) -> bool {
        matches!(*self.place, Place::Database)
    }

    /// A description for messages: `basis data`, `folder /x`, `s3://bucket/prefix di http://…`.
    /// Whether this "store" is the database's own columns (no folder, no bucket).
    pub fn is_database(&self) -> bool {
        matches!(&*self.place, Place::Database)
    }

    pub fn describe(&self) -> String {
        match &*self.place {
            Place::Database => "basis data".into(),
            Place::Folder(root) => format!("folder {}", root.display()),
            Place::S3 { shown, .. } => shown.clone(),
        }
    }

    /// The `files` value naming this store (`db`, `folder:/x`, `s3://bucket/prefix`).
    pub fn setting(&self) -> String {
        match &*self.place {
            Place::Database => "db".into(),
            Place::Folder(root) => format!("folder:{}", root.display()),
            Place::S3 { setting, .. } => setting.clone(),
        }
    }

    /// Where a file with this checksum is kept in a folder store (None for the other kinds):
    /// `ROOT/ab/abcdef…`, two hex digits of fan-out so no directory grows past 1/256 of all.
    pub fn folder_path(&self, sha256: &str) -> Option<PathBuf> {
        match &*self.place {
            Place::Folder(root) => Some(root.join(&sha256[..2]).join(sha256)),
            _ => None,
        }
    }

    /// Puts `bytes` under `sha256` (which the caller computed from them). Idempotent. Returns
    /// only once the file is durable: fsynced and renamed into place for a folder, acknowledged
    /// by the server for S3.
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        check_name(sha256)?;
        match &*self.place {
            Place::Database => Ok(()),
            Place::Folder(root) => {
                let root = root.clone();
                let sha = sha256.to_string();
                let bytes = bytes.to_vec();
                tokio::task::spawn_blocking(move || write_atomically(&root, &sha, &bytes))
                    .await
                    .map_err(|e| StoreError::FilesUnavailable(e.to_string()))?
            }
            Place::S3 { client, prefix, .. } => {
                let path = object_path(prefix, sha256);
                client
                    .put(&path, PutPayload::from(bytes.to_vec()))
                    .await
                    .map_err(|e| unavailable(&self.describe(), e))?;
                Ok(())
            }
        }
    }

    /// The bytes stored under `sha256`, or None when the store has no such file. Not checked
    /// against the name here: callers that serve or copy a file use [`FileStore::get_checked`].
    pub async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        check_name(sha256)?;
        match &*self.place {
            Place::Database => Ok(None),
            Place::Folder(_) => {
                let path = self.folder_path(sha256).expect("a folder store");
                let root = match &*self.place {
                    Place::Folder(root) => root.clone(),
                    _ => unreachable!(),
                };
                tokio::task::spawn_blocking(move || {
                    // A missing root is an unmounted or removed folder, not a missing file.
                    if !root.is_dir() {
                        return Err(StoreError::FilesUnavailable(format!(
                            "folder {} tidak ada",
                            root.display()
                        )));
                    }
                    match std::fs::read(&path) {
                        Ok(bytes) => Ok(Some(bytes)),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                        Err(e) => Err(StoreError::FilesUnavailable(format!(
                            "membaca {}: {e}",
                            path.display()
                        ))),
                    }
                })
                .await
                .map_err(|e| StoreError::FilesUnavailable(e.to_string()))?
            }
            Place::S3 { client, prefix, .. } => {
                let path = object_path(prefix, sha256);
                match client.get(&path).await {
                    Ok(found) => Ok(Some(
                        found
                            .bytes()
                            .await
                            .map_err(|e| unavailable(&self.describe(), e))?
                            .to_vec(),
                    )),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(unavailable(&self.describe(), e)),
                }
            }
        }
    }

    /// The bytes under `sha256`, which must be there and hash to it.
    pub async fn get_checked(&self, sha256: &str) -> Result<Vec<u8>> {
        match self.get(sha256).await? {
            Some(bytes) if crate::sha256_hex(&bytes) == sha256 => Ok(bytes),
            Some(_) => Err(StoreError::FileCorrupt {
                sha256: sha256.to_string(),
                place: self.describe(),
            }),
            None => Err(StoreError::FileMissing {
                sha256: sha256.to_string(),
                place: self.describe(),
            }),
        }
    }
}

/// A checksum is 64 lowercase hex digits; anything else never becomes a path or a key.
fn check_name(sha256: &str) -> Result<()> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "sha256",
            format!("\"{sha256}\" bukan SHA-256 heksadesimal"),
        ))
    }
}

fn object_path(prefix: &str, sha256: &str) -> object_store::path::Path {
    let key = if prefix.is_empty() {
        format!("{}/{sha256}", &sha256[..2])
    } else {
        format!("{prefix}/{}/{sha256}", &sha256[..2])
    };
    object_store::path::Path::from(key)
}

fn unavailable(place: &str, e: object_store::Error) -> StoreError {
    StoreError::FilesUnavailable(format!("{place}: {e}"))
}

/// Temp file in the target's directory, written, fsynced, renamed over the final name, and the
/// directory fsynced, so after a crash the name holds either nothing or all the bytes.
fn write_atomically(root: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let fail = |what: &str, e: std::io::Error| {
        StoreError::FilesUnavailable(format!("{what} di folder {}: {e}", root.display()))
    };
    // The root must already exist: if it is gone (an unmounted disk), creating it anew on the
    // disk underneath would hide the problem until the files are looked for.
    if !root.is_dir() {
        return Err(StoreError::FilesUnavailable(format!(
            "folder {} tidak ada",
            root.display()
        )));
    }
    let dir = root.join(&sha256[..2]);
    std::fs::create_dir_all(&dir).map_err(|e| fail("membuat subfolder", e))?;
    let temp = dir.join(format!(".{sha256}.{}.sementara", crate::random_hex(6)));
    let result = (|| {
        let mut f = std::fs::File::create(&temp).map_err(|e| fail("membuat berkas", e))?;
        f.write_all(bytes).map_err(|e| fail("menulis berkas", e))?;
        f.sync_all().map_err(|e| fail("fsync berkas", e))?;
        std::fs::rename(&temp, dir.join(sha256)).map_err(|e| fail("mengganti nama", e))?;
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| fail("fsync folder", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_refuse_what_they_cannot_mean() {
        let s3 = S3Settings {
            region: "us-east-1".into(),
            ..Default::default()
        };
        assert_eq!(
            FileStoreSetting::parse("db", s3.clone()),
            Ok(FileStoreSetting::Database)
        );
        assert_eq!(
            FileStoreSetting::parse("folder:/srv/berkas", s3.clone()),
            Ok(FileStoreSetting::Folder("/srv/berkas".into()))
        );
        assert_eq!(
            FileStoreSetting::parse("file:///srv/berkas", s3.clone()),
            Ok(FileStoreSetting::Folder("/srv/berkas".into()))
        );
        match FileStoreSetting::parse("s3://arsip/laksana/berkas/", s3.clone()).unwrap() {
            FileStoreSetting::S3(s) => {
                assert_eq!(
                    (s.bucket.as_str(), s.prefix.as_str()),
                    ("arsip", "laksana/berkas")
                );
                assert_eq!(s.region, "us-east-1");
            }
            other => panic!("{other:?}"),
        }
        for bad in ["folder:relatif", "s3://", "ftp://x", "berkas"] {
            assert!(FileStoreSetting::parse(bad, s3.clone()).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_folder_store_names_files_by_hash_and_never_leaves_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("berkas");
        let store = FileStore::open(&FileStoreSetting::Folder(root.clone())).unwrap();
        let bytes = b"%PDF-1.7 isi";
        let sha = crate::sha256_hex(bytes);
        store.put(&sha, bytes).await.unwrap();
        store.put(&sha, bytes).await.unwrap();
        let path = root.join(&sha[..2]).join(&sha);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(
            std::fs::read_dir(root.join(&sha[..2])).unwrap().count(),
            1,
            "no temporary file left beside it"
        );
        assert_eq!(store.get_checked(&sha).await.unwrap(), bytes);
        std::fs::write(&path, b"lain").unwrap();
        assert!(matches!(
            store.get_checked(&sha).await,
            Err(StoreError::FileCorrupt { .. })
        ));
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            store.get_checked(&sha).await,
            Err(StoreError::FileMissing { .. })
        ));
        assert!(store.put("../../etc/passwd", b"x").await.is_err());
        // The folder itself gone (an unmounted disk): unavailable, and not silently recreated.
        std::fs::remove_dir_all(&root).unwrap();
        let err = store.put(&sha, bytes).await.unwrap_err();
        assert!(err.is_unavailable(), "{err}");
        assert!(!root.exists());
        assert!(store.get(&sha).await.unwrap_err().is_unavailable());
    }
}
