// Small progressive enhancements; every page works without this file.
// A return ("Kembalikan") needs a note: say so before the round trip to the server.
document.addEventListener("click", function (ev) {
  var btn = ev.target.closest && ev.target.closest('button[name="decision"][value="return"]');
  if (!btn) return;
  var form = btn.form;
  var note = form && form.querySelector('textarea[name="note"]');
  if (note && note.value.trim() === "") {
    ev.preventDefault();
    note.setCustomValidity("Catatan wajib diisi bila langkah dikembalikan.");
    note.reportValidity();
    note.addEventListener("input", function () { note.setCustomValidity(""); }, { once: true });
  }
});

// Attendance on a phone: each tap is kept on the device (localStorage) with the time it was
// made, and sent as soon as the server can be reached; a lost connection loses nothing, and
// the server keeps the time of the tap, not of the sending.
(function () {
  function setup(form) {
    var key = form.getAttribute("data-key");
    var url = form.getAttribute("data-json");
    var csrf = form.getAttribute("data-csrf");
    var note = form.querySelector(".pending");
    var sending = false;
    function queue() {
      try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
    }
    function save(q) { localStorage.setItem(key, JSON.stringify(q)); show(); }
    function show() {
      var n = queue().length;
      if (note) note.textContent = n === 0 ? "" : n + " tanda kehadiran tersimpan di perangkat ini, belum terkirim; akan dikirim otomatis saat tersambung.";
    }
    function flush() {
      var q = queue();
      if (sending || q.length === 0) return;
      sending = true;
      fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ csrf: csrf, marks: q })
      }).then(function (res) {
        sending = false;
        if (res.ok) {
          // Only what was sent is removed: taps made meanwhile stay queued.
          var rest = queue().slice(q.length);
          save(rest);
        } else if (res.status >= 400 && res.status < 500) {
          return res.json().then(function (p) {
            if (note) note.textContent = (p && p.detail) || "Tanda kehadiran ditolak server.";
            save([]);
          });
        }
      }).catch(function () { sending = false; show(); });
    }
    form.addEventListener("change", function (ev) {
      var input = ev.target;
      if (!input.name || input.name.indexOf("status_") !== 0) return;
      var source = form.querySelector('select[name="sumber"]');
      if (source && source.value !== "panitia") return;
      var q = queue();
      q.push({ nomination_id: parseInt(input.name.slice(7), 10), status: input.value, recorded_at: new Date().toISOString() });
      save(q);
      flush();
    });
    window.addEventListener("online", flush);
    setInterval(flush, 15000);
    show();
    flush();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.attendance[data-json]").forEach(setup);
  });
})();
