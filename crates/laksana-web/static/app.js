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
