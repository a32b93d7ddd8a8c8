// "Add another" for Django formsets, as progressive enhancement: a button clones the formset's
// <template> row (the empty form, with __prefix__ in its names) and bumps TOTAL_FORMS, so a new
// row appears without a round trip. Without this file the form's "Add another row" submit button
// re-renders the page with one more row and saves nothing.
document.querySelectorAll("[data-formset]").forEach((container) => {
  const prefix = container.dataset.formset;
  const template = document.getElementById(`${prefix}-row-template`);
  const rows = container.querySelector("[data-formset-rows]");
  const total = container.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const max = container.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
  const add = container.querySelector("[data-formset-add]");
  const fallback = document.querySelector(`[data-formset-fallback="${prefix}"]`);
  if (!template || !rows || !total || !add) return;
  if (fallback) fallback.hidden = true;
  add.hidden = false;
  const limit = max ? Number(max.value) : Infinity;
  const refresh = () => {
    add.disabled = Number(total.value) >= limit;
  };
  add.addEventListener("click", () => {
    const index = Number(total.value);
    if (index >= limit) return;
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__number__", String(index + 1));
    const row = holder.firstElementChild;
    rows.append(row);
    total.value = String(index + 1);
    refresh();
    const first = row.querySelector("select, input, textarea");
    if (first) first.focus();
  });
  refresh();
});
