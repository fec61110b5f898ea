/* Retour portal: small progressive enhancements; every page works without this file. */
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches("select[data-photo-reasons]")) return;
  var label = document.querySelector('label[for="photos_' + select.dataset.line + '"]');
  if (!label) return;
  var needs = select.dataset.photoReasons.split(" ").indexOf(select.value) !== -1;
  label.textContent = needs ? label.dataset.required : label.dataset.optional;
});
