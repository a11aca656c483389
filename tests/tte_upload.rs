//! A certified electronic signature (TTE) uploaded after signing: accepted only as the stored
//! PDF plus an incremental signature update, really made by pyHanko with a self-made
//! certificate (`tests/tools/tte_sign.py`). The Python with pyHanko is `LAKSANA_PYHANKO`
//! (`.ci/run` makes one); without it the test says so and passes, unless `LAKSANA_TTE_TESTS=1`.

mod support;

use std::path::PathBuf;
use std::process::Command;

use laksana_engine::LAKSANA_SOP;
use laksana_store::NewOfficial;
use reqwest::StatusCode;
use support::TestApp;

/// A Python that can import pyHanko, if there is one.
fn pyhanko_python() -> Option<PathBuf> {
    let candidates = std::env::var("LAKSANA_PYHANKO")
        .ok()
        .into_iter()
        .chain(["python3".to_string()]);
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import pyhanko.sign"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(PathBuf::from(python));
        }
    }
    None
}

/// Uploads `bytes` as the TTE file of `doc`; returns the status.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    doc: i64,
    bytes: &[u8],
) -> StatusCode {
    let csrf = app.page_csrf(client).await;
    let boundary = "laksana-tte-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"tte.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client
        .post(app.url(&format!("/pelatihan/{id}/naskah/{doc}/tte")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_signed_incrementally_with_tte_is_kept_beside_the_original_and_anything_else_is_refused(
) {
    let required = std::env::var("LAKSANA_TTE_TESTS").is_ok_and(|v| v == "1");
    let Some(python) = pyhanko_python() else {
        assert!(
            !required,
            "LAKSANA_TTE_TESTS=1 but no Python with pyHanko (set LAKSANA_PYHANKO)"
        );
        eprintln!("NOTICE: pyHanko not found; TTE upload test not run");
        return;
    };

    let app = TestApp::spawn().await;
    app.store
        .ensure_definition(app.unit.id, LAKSANA_SOP, app.clock_now())
        .await
        .unwrap();
    let admin = app.store.user_by_username("admin").await.unwrap();
    let kadis = app.store.user_by_username("kadis").await.unwrap();
    app.store
        .create_official(
            app.unit.id,
            &NewOfficial {
                position: "kepala-dinas".into(),
                name: "Ir. Ma'ruf Hidayat, M.Si.".into(),
                nip: "196811201994031002".into(),
                pangkat: "Pembina Utama Muda (IV/c)".into(),
                jabatan: "Kepala Dinas Tenaga Kerja".into(),
                user_id: Some(kadis.id),
                since: None,
                until: None,
            },
            &admin,
            app.clock_now(),
        )
        .await
        .unwrap();
    let token = app.api_login("jfu").await;
    let id = app.create_training(&token, "Pelatihan Las").await["id"]
        .as_i64()
        .unwrap();
    let jfu = app.store.user_by_username("jfu").await.unwrap();
    let now = app.clock_now();
    let doc = app
        .store
        .create_document(
            app.unit.id,
            &laksana_store::NewDocument {
                training_id: id,
                kind: "undangan".into(),
                title: "Undangan".into(),
                parafs_required: Some(0),
            },
            &jfu,
            now,
        )
        .await
        .unwrap();
    let content = serde_json::to_value(laksana_documents::letter::Letter {
        hal: "Undangan Calon Peserta Pelatihan Las".into(),
        kepada: vec!["Kepala Dinas Kabupaten Bogor".into()],
        isi: vec!["Dengan hormat, kami mengundang.".into()],
        ..Default::default()
    })
    .unwrap();
    app.store
        .save_document(app.unit.id, doc.id, &content, &jfu, now)
        .await
        .unwrap();
    let detail = app.store.document(app.unit.id, doc.id).await.unwrap();
    laksana_web::paperwork::sign(&app.store, &app.unit, &kadis, &detail, now)
        .await
        .unwrap();

    // The signer downloads the stored PDF and signs it with "their TTE application".
    let client = app.page_login("kadis").await;
    let original = client
        .get(app.url(&format!("/pelatihan/{id}/naskah/{}/pdf", doc.id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let dir = tempfile::tempdir().unwrap();
    let (inp, out) = (dir.path().join("asli.pdf"), dir.path().join("tte.pdf"));
    std::fs::write(&inp, &original).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/tte_sign.py");
    let run = Command::new(&python)
        .arg(script)
        .arg(&inp)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "pyHanko: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let signed = std::fs::read(&out).unwrap();
    assert!(
        signed.starts_with(&original),
        "pyHanko appends an incremental update"
    );

    // A changed original (one byte) and a plain copy are refused; nothing is stored.
    let mut tampered = signed.clone();
    tampered[original.len() / 2] ^= 1;
    assert_eq!(
        upload(&app, &client, id, doc.id, &tampered).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        upload(&app, &client, id, doc.id, &original).await,
        StatusCode::CONFLICT
    );
    // Someone other than the signer may not attach it.
    let other = app.page_login("jfu").await;
    assert_eq!(
        upload(&app, &other, id, doc.id, &signed).await,
        StatusCode::FORBIDDEN
    );
    let res = client
        .get(app.url(&format!("/pelatihan/{id}/naskah/{}/tte.pdf", doc.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The real one is accepted, served, and its hash is on the verification page.
    assert_eq!(
        upload(&app, &client, id, doc.id, &signed).await,
        StatusCode::SEE_OTHER
    );
    let served = client
        .get(app.url(&format!("/pelatihan/{id}/naskah/{}/tte.pdf", doc.id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.to_vec(), signed);
    let signature = app
        .store
        .document(app.unit.id, doc.id)
        .await
        .unwrap()
        .signature
        .unwrap();
    use sha2::Digest;
    assert_eq!(
        signature.tte_sha256.as_deref(),
        Some(hex::encode(sha2::Sha256::digest(&signed)).as_str())
    );
    let page = app
        .browser()
        .get(app.url(&format!("/verifikasi/{}", signature.verification_token)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(signature.tte_sha256.as_deref().unwrap()));
    // The original PDF is unchanged.
    assert_eq!(
        app.store.signed_pdf(app.unit.id, doc.id).await.unwrap(),
        original
    );
}
