// Progressive enhancement only: every page works without this file.

// Toasts: a server tells the page what an htmx request did with the HX-Trigger header
// {"peernet:toast": [{"level": "success", "text": "…"}]} (core/middleware.py turns Django
// messages of htmx responses into it); failures of the request itself are toasts too.
const TOAST_SECONDS = 8;

function icon(name) {
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(svgNS, "use");
  use.setAttribute("href", `${document.body.dataset.icons}#${name}`);
  svg.append(use);
  return svg;
}

function toastShow(text, level = "info") {
  const region = document.getElementById("toasts");
  if (!region) return;
  const toast = document.createElement("div");
  toast.className = `toast toast-${level}`;
  const words = document.createElement("span");
  words.className = "toast-text";
  words.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "icon-button";
  close.setAttribute("aria-label", "Dismiss");
  close.append(icon("x"));
  close.addEventListener("click", () => toast.remove());
  toast.append(icon(level === "error" ? "circle-alert" : "circle-check"), words, close);
  region.append(toast);
  // Errors stay until dismissed; other news goes away by itself.
  if (level !== "error") setTimeout(() => toast.remove(), TOAST_SECONDS * 1000);
}

document.body.addEventListener("peernet:toast", (event) => {
  const items = Array.isArray(event.detail.value) ? event.detail.value : [event.detail];
  for (const item of items) {
    if (item && item.text) toastShow(item.text, item.level || "info");
  }
});

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  toastShow(
    status === 429
      ? "Too many attempts. Please wait a minute and try again."
      : "That did not work. Please reload the page and try again.",
    "error",
  );
});

// What an htmx request brought into the page takes the focus when it marks itself with
// data-swap-focus (a preview's heading): a screen reader reads it, and the keyboard goes on
// from there. The mark is taken off so that later swaps do not move the focus back.
document.addEventListener("htmx:afterSettle", () => {
  const mark = document.querySelector("[data-swap-focus]");
  if (!mark) return;
  mark.removeAttribute("data-swap-focus");
  mark.focus();
});

// The phone menu closes with Escape, and when a click lands outside it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.nav-menu[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.nav-menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

// Time-zone lists (core/timezones.py): a search box that narrows the list as one types, and,
// where the form asks for it (data-tz="guess") and the list shows the default (UTC), the
// browser's own zone preselected, with a note saying so.
function timeZoneEnhance(select) {
  if (select.dataset.tzReady) return;
  select.dataset.tzReady = "true";
  const groups = Array.from(select.children).map((node) => node.cloneNode(true));
  if (select.dataset.tz === "guess" && select.value === "UTC") {
    const guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (guess && guess !== "UTC" && select.querySelector(`option[value="${CSS.escape(guess)}"]`)) {
      select.value = guess;
      const note = document.createElement("p");
      note.className = "helptext";
      note.textContent = `We chose ${guess}, the time zone of this device. Save to keep it.`;
      select.after(note);
    }
  }
  const search = document.createElement("input");
  search.type = "search";
  search.className = "tz-search";
  search.id = `${select.id}-search`;
  search.placeholder = "e.g. Paris or Asia";
  search.setAttribute("aria-controls", select.id);
  const label = document.createElement("label");
  label.htmlFor = search.id;
  label.className = "visually-hidden";
  label.textContent = "Filter the time-zone list";
  select.before(label, search);
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const chosen = select.value;
    const kept = [];
    for (const group of groups) {
      const copy = group.cloneNode(true);
      const options = copy.tagName === "OPTGROUP" ? Array.from(copy.children) : [copy];
      for (const option of options) {
        const text = `${option.value} ${option.textContent} ${copy.label || ""}`.toLowerCase();
        const match = words.every((word) => text.includes(word));
        if (!match && option.value !== chosen) option.remove();
      }
      if (copy.tagName !== "OPTGROUP" || copy.children.length) kept.push(copy);
    }
    select.replaceChildren(...kept);
    // The current choice stays in the list, so nothing changes until one picks another.
    select.value = chosen;
  });
}

function enhance(root) {
  for (const select of root.querySelectorAll("select[data-tz]")) timeZoneEnhance(select);
}
enhance(document);
document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));

// Agendas a facilitator orders (ol[data-reorder]): drag an item to its place; the drop asks the
// server to put it there, as the up/down buttons (the keyboard way) do one step at a time.
function agendaReorder(list) {
  if (list.dataset.reorderReady) return;
  list.dataset.reorderReady = "true";
  let dragged = null;
  const items = () => Array.from(list.querySelectorAll(":scope > li[data-move-url]"));
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li[data-move-url]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.moveUrl);
  });
  list.addEventListener("dragover", (event) => {
    const over = event.target.closest("li[data-move-url]");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("dragend", () => {
    if (!dragged) return;
    const moved = dragged;
    moved.classList.remove("dragging");
    dragged = null;
    const position = items().indexOf(moved) + 1;
    htmx.ajax("POST", moved.dataset.moveUrl, {
      source: moved,
      target: "#agenda",
      swap: "outerHTML",
      values: { direction: "to", position: String(position) },
    });
  });
}

function enhanceAgendas(root) {
  for (const list of root.querySelectorAll("ol[data-reorder]")) agendaReorder(list);
}
enhanceAgendas(document);
document.addEventListener("htmx:load", (event) => enhanceAgendas(event.detail.elt));
