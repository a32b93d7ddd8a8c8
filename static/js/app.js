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
