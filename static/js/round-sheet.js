// Round sheet: add and remove contact rows before saving (Django formset).
(function () {
  "use strict";
  const sheet = document.getElementById("round-sheet");
  const rows = document.getElementById("sheet-rows");
  const template = document.getElementById("empty-row");
  if (!sheet || !rows || !template) { return; }
  const total = sheet.querySelector('input[name$="-TOTAL_FORMS"]');

  function renumber() {
    let n = 0;
    rows.querySelectorAll("[data-row]").forEach(function (row) {
      if (!row.hidden) {
        n += 1;
        row.querySelector(".row-number").textContent = n;
      }
    });
  }

  function addRow() {
    const index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    const row = rows.lastElementChild;
    if (window.htmx) { window.htmx.process(row); }
    renumber();
    const first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select");
    if (first) { first.focus(); }
  }

  document.getElementById("add-row").addEventListener("click", addRow);
  rows.addEventListener("click", function (event) {
    const button = event.target.closest(".remove-row");
    if (!button) { return; }
    const row = button.closest("[data-row]");
    const remove = row.querySelector('input[name$="-DELETE"]');
    if (remove) { remove.checked = true; }
    row.hidden = true;
    renumber();
  });
  renumber();
}());
