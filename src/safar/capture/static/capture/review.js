// The review screen, keyboard only: Tab walks the doubtful fields (the others are out of the Tab
// order), Enter anywhere in the card accepts and saves, Esc opens the rejection box.
(() => {
  const form = document.getElementById("review-form");
  const dialog = document.getElementById("reject-dialog");
  if (!form || !dialog) return;
  const accept = form.querySelector("button[name=accept]");
  const reason = dialog.querySelector("input[name=reason]");

  const openReject = () => {
    if (!dialog.open) dialog.showModal();
    reason.focus();
  };
  // A select swallows Enter in some browsers; make it accept like every other field.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "SELECT") {
      event.preventDefault();
      form.requestSubmit(accept);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !dialog.open) {
      event.preventDefault();
      openReject();
    }
  });
  form.querySelector(".reject-open").addEventListener("click", openReject);
  // One submit per card: a second Enter while the page changes must not send it twice.
  for (const f of [form, dialog.querySelector("form")]) {
    f.addEventListener("submit", () => {
      for (const b of f.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
  if (dialog.dataset.open) openReject();
})();
