//! Stored files outside the database (issue 7, item 4): in a folder, and in a real
//! S3-compatible server (moto), named by their SHA-256, with the row keeping the checksum and
//! size and no content; downloads serve the same bytes; `laksana verify` names a tampered and
//! a deleted file; `laksana files pindah` moves the bytes out and back; an unreachable store
//! gives a 503 naming it, and saves nothing.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use laksana_store::{FileStore, FileStoreSetting, S3Settings, StoreError};
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;
use reqwest::StatusCode;
use support::TestApp;

fn laksana(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_laksana"));
    cmd.args(args)
        .env("RUST_LOG", "error")
        .env_remove("LAKSANA_DB")
        .env_remove("LAKSANA_FILES");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run laksana")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The signed letters of a training: (document id, content is NULL, sha256, size).
async fn signatures(app: &TestApp, training: i64) -> Vec<(i64, bool, String, i64)> {
    let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT s.document_id, CASE WHEN s.pdf IS NULL THEN 1 ELSE 0 END, s.pdf_sha256, s.pdf_size
         FROM document_signatures s JOIN documents d ON d.id = s.document_id
         WHERE d.training_id = $1 ORDER BY s.id",
    )
    .bind(training)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(doc, null, sha, size)| (doc, null == 1, sha, size))
        .collect()
}

async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    training: i64,
    doc: i64,
) -> reqwest::Response {
    client
        .get(app.url(&format!("/pelatihan/{training}/naskah/{doc}/pdf")))
        .send()
        .await
        .unwrap()
}

fn folder_file(root: &Path, sha: &str) -> PathBuf {
    root.join(&sha[..2]).join(sha)
}

#[tokio::test]
async fn signed_letters_live_in_the_folder_by_hash_and_verify_names_a_changed_and_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("berkas");
    let files = FileStore::open(&FileStoreSetting::Folder(root.clone())).unwrap();
    let app = TestApp::spawn_with_files(files).await;
    let id = app
        .training_at("Pelatihan Las Angkatan I", "distribusi-undangan")
        .await;
    let signed = signatures(&app, id).await;
    assert!(
        signed.len() >= 2,
        "the sample signs the undangan and the SK"
    );
    let jfu = app.page_login("jfu").await;
    for (doc, content_null, sha, size) in &signed {
        assert!(
            *content_null,
            "document {doc}: the bytes must not be in the database"
        );
        let on_disk = std::fs::read(folder_file(&root, sha)).expect("the file named by its hash");
        assert_eq!(&sha256(&on_disk), sha);
        assert_eq!(on_disk.len() as i64, *size);
        let res = download(&app, &jfu, id, *doc).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), on_disk.as_slice());
    }

    let url = app.database_url().to_string();
    let folder = format!("folder:{}", root.display());
    let out = laksana(&["verify", "--db", &url, "--files", &folder], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("0 di basis data, {} di folder", signed.len())),
        "{}",
        text(&out)
    );
    // The training's archive carries the bytes from the folder.
    let zip_path = dir.path().join("arsip.zip");
    let out = laksana(
        &[
            "export",
            "--db",
            &url,
            "--files",
            &folder,
            "--pelatihan",
            &id.to_string(),
            zip_path.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut sums = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("dokumen/SHA256SUMS").unwrap(), &mut sums)
        .unwrap();
    for (_, _, sha, _) in &signed {
        assert!(sums.contains(sha.as_str()), "{sha} not in\n{sums}");
    }
    assert!(!text(&out).contains("PERINGATAN"), "{}", text(&out));

    // Without the setting the rows' files are nowhere to be found, and verify says so.
    let out = laksana(&["verify", "--db", &url], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // … and says where to look instead of a self-contradicting count.
    assert!(
        text(&out).contains("tersimpan di luar basis data, tetapi tidak ada --files")
            && text(&out).contains("di luar basis data)"),
        "{}",
        text(&out)
    );

    // One file's bytes changed, another deleted: both named, exit 1; the changed one is not
    // served as if it were the signed letter.
    let (changed_doc, _, changed_sha, _) = &signed[0];
    let (_, _, deleted_sha, _) = &signed[1];
    std::fs::write(folder_file(&root, changed_sha), b"%PDF-palsu").unwrap();
    std::fs::remove_file(folder_file(&root, deleted_sha)).unwrap();
    let out = laksana(&["verify", "--db", &url], &[("LAKSANA_FILES", &folder)]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("TIDAK COCOK: document_signatures")
            && report.contains(&sha256(b"%PDF-palsu")),
        "{report}"
    );
    assert!(
        report.contains("HILANG: document_signatures") && report.contains(deleted_sha.as_str()),
        "{report}"
    );
    let res = download(&app, &jfu, id, *changed_doc).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.bytes().await.unwrap().starts_with(b"%PDF-palsu"));

    // The folder gone (an unmounted disk): a 503 naming the file store, and a new file is
    // refused before anything is written.
    std::fs::remove_dir_all(&root).unwrap();
    let res = download(&app, &jfu, id, *changed_doc).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Penyimpanan berkas sedang tidak dapat dihubungi"),);
    let kadis = app.store.user_by_username("kadis").await.unwrap();
    let original = [b"%PDF-1.7\n".as_slice(), b"x"].concat();
    let err = app
        .store
        .attach_tte_signed_pdf(
            app.unit.id,
            *changed_doc,
            &original,
            &kadis,
            app.clock_now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::FilesUnavailable(_) | StoreError::FileMissing { .. }
        ),
        "{err}"
    );
    let ttes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM document_tte")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(ttes, 0, "nothing half-saved");
}

#[tokio::test]
async fn files_pindah_moves_the_bytes_out_to_a_folder_and_back_checking_each() {
    let app = TestApp::spawn().await;
    let id = app
        .training_at("Pelatihan Menjahit Angkatan II", "distribusi-undangan")
        .await;
    let before = signatures(&app, id).await;
    assert!(before.iter().all(|(_, null, _, _)| !null), "db by default");
    let url = app.database_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let folder = format!("folder:{}", dir.path().join("berkas").display());

    let out = laksana(&["files", "pindah", "--db", &url, "--ke", &folder], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let after = signatures(&app, id).await;
    assert!(after.iter().all(|(_, null, _, _)| *null), "{after:?}");
    for (_, _, sha, _) in &after {
        let bytes = std::fs::read(folder_file(&dir.path().join("berkas"), sha)).unwrap();
        assert_eq!(&sha256(&bytes), sha);
    }
    // A second run finds everything in place and changes nothing.
    let out = laksana(&["files", "pindah", "--db", &url, "--ke", &folder], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("0 baris basis data diperbarui"),
        "{}",
        text(&out)
    );
    let out = laksana(&["verify", "--db", &url, "--files", &folder], &[]);
    assert!(out.status.success(), "{}", text(&out));

    // And back into the database.
    let out = laksana(
        &[
            "files", "pindah", "--db", &url, "--files", &folder, "--ke", "db",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let back = signatures(&app, id).await;
    assert!(back.iter().all(|(_, null, _, _)| !null), "{back:?}");
    let out = laksana(&["verify", "--db", &url], &[]);
    assert!(out.status.success(), "{}", text(&out));

    // The freeze still holds: content never changes into other content.
    let refused = sqlx::query(
        "UPDATE document_signatures SET pdf = pdf || pdf WHERE id = (SELECT MIN(id) FROM document_signatures)",
    )
    .execute(app.store.pool())
    .await;
    assert!(refused.is_err(), "a signed PDF's bytes must not change");
}

/// A moto S3 server of the test's own on a free port, stopped when dropped.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    async fn start(program: &str) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("LAKSANA_TEST_S3_SERVER={program} cannot start: {e}"));
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = std::time::Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "moto_server did not answer on port {port} within 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        moto
    }
}

/// A client of the test's own for looking into the bucket behind Laksana's back.
fn bucket_client(endpoint: &str) -> impl ObjectStore {
    object_store::aws::AmazonS3Builder::new()
        .with_bucket_name("arsip-laksana")
        .with_region("us-east-1")
        .with_endpoint(endpoint)
        .with_access_key_id("laksana-uji")
        .with_secret_access_key("rahasia-uji")
        .with_allow_http(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn signed_letters_live_in_a_real_s3_server_and_its_outage_is_a_503() {
    // `.ci/run` installs moto and sets this; then the test must run, never skip.
    let Ok(program) = std::env::var("LAKSANA_TEST_S3_SERVER") else {
        eprintln!("dilewati: LAKSANA_TEST_S3_SERVER (jalur moto_server) tidak diatur");
        return;
    };
    let moto = Moto::start(&program).await;
    let http = reqwest::Client::new();
    // moto accepts unsigned bucket creation; the application itself only reads and writes keys.
    let res = http
        .put(format!("{}/arsip-laksana", moto.endpoint))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "create bucket: {}", res.status());
    let s3 = S3Settings {
        endpoint: Some(moto.endpoint.clone()),
        region: "us-east-1".into(),
        access_key_id: Some("laksana-uji".into()),
        secret_access_key: Some("rahasia-uji".into()),
        path_style: true,
        ..Default::default()
    };
    let setting = FileStoreSetting::parse("s3://arsip-laksana/blk", s3).unwrap();
    let app = TestApp::spawn_with_files(FileStore::open(&setting).unwrap()).await;
    let id = app
        .training_at("Pelatihan Otomotif Angkatan I", "distribusi-undangan")
        .await;
    let signed = signatures(&app, id).await;
    assert!(signed.len() >= 2);
    let jfu = app.page_login("jfu").await;
    let bucket = bucket_client(&moto.endpoint);
    for (doc, content_null, sha, size) in &signed {
        assert!(*content_null);
        // The object is in the bucket under the prefix, named by its hash.
        let key = ObjectPath::from(format!("blk/{}/{sha}", &sha[..2]));
        let stored = bucket
            .get(&key)
            .await
            .unwrap_or_else(|e| panic!("object {key}: {e}"))
            .bytes()
            .await
            .unwrap();
        assert_eq!(&sha256(&stored), sha);
        assert_eq!(stored.len() as i64, *size);
        let res = download(&app, &jfu, id, *doc).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap(), stored);
    }

    let url = app.database_url().to_string();
    let env = [
        ("LAKSANA_FILES", "s3://arsip-laksana/blk"),
        ("LAKSANA_S3_ENDPOINT", moto.endpoint.as_str()),
        ("LAKSANA_S3_ACCESS_KEY_ID", "laksana-uji"),
        ("LAKSANA_S3_SECRET_ACCESS_KEY", "rahasia-uji"),
    ];
    let out = laksana(&["verify", "--db", &url], &env);
    assert!(out.status.success(), "{}", text(&out));
    let shown = laksana(&["config", "tampil"], &env);
    assert!(!text(&shown).contains("rahasia-uji"), "{}", text(&shown));

    // An object deleted behind Laksana's back is named.
    let (_, _, gone, _) = &signed[1];
    bucket
        .delete(&ObjectPath::from(format!("blk/{}/{gone}", &gone[..2])))
        .await
        .unwrap();
    let out = laksana(&["verify", "--db", &url], &env);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("HILANG: document_signatures") && text(&out).contains(gone.as_str())
    );

    // The server down: pages answer 503 with the Indonesian message, the API's code is stable.
    let (doc, _, _, _) = &signed[0];
    drop(moto);
    let res = download(&app, &jfu, id, *doc).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Penyimpanan berkas sedang tidak dapat dihubungi"));
    let err = app.store.signed_pdf(app.unit.id, *doc).await.unwrap_err();
    assert_eq!(err.code(), "file_store_unavailable", "{err}");
}
