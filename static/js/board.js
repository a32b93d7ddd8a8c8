// The proposal board: dropping a member chip on another cohort fills the one move form and
// sends it (htmx swaps the board). Without this file the form and the chips' links do it.
(() => {
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const chip = event.target.closest && event.target.closest(".chip[data-member]");
    if (!chip) return;
    dragged = chip.dataset.member;
    event.dataTransfer.setData("text/plain", dragged);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", (event) => {
    if (dragged !== null && event.target.closest(".proposed-cohort[data-cohort]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("drop", (event) => {
    const card = event.target.closest(".proposed-cohort[data-cohort]");
    const form = document.getElementById("move-form");
    if (dragged === null || !card || !form) return;
    event.preventDefault();
    const member = form.querySelector("[name=member]");
    const target = form.querySelector("[name=to_cohort]");
    member.value = dragged;
    target.value = card.dataset.cohort;
    dragged = null;
    form.requestSubmit();
  });
  document.addEventListener("dragend", () => {
    dragged = null;
  });
})();
