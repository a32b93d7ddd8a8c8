// Progressive enhancement only: every page works without this file.
document.addEventListener("htmx:responseError", (event) => {
  const region = document.getElementById("messages");
  if (!region) return;
  const note = document.createElement("p");
  note.className = "message message-error";
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  note.textContent =
    status === 429
      ? "Too many attempts. Please wait a minute and try again."
      : "That did not work. Please reload the page and try again.";
  region.replaceChildren(note);
});
