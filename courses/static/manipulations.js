// Manipulations in lessons: each is a GET form that the lesson page answers, and works as such
// without JavaScript. Here the form is sent in the background; the server's new rendering of the
// block replaces the old one, the focus stays on the control used, and a live region reads the
// result aloud. (Loaded once per page by the first manipulation.)

const announcer = document.createElement("p");
announcer.className = "fr-sr-only";
announcer.setAttribute("aria-live", "polite");
document.body.append(announcer);

function reveal(block) {
  // What only works with this script (the slider) is hidden in the server's HTML.
  for (const element of block.querySelectorAll("[data-avec-script]")) element.hidden = false;
}

async function send(block, form, submitter) {
  const url = new URL(form.action);
  url.search = new URLSearchParams(new FormData(form, submitter)).toString();
  const focused = document.activeElement && document.activeElement.id;
  const fallback = document.activeElement && document.activeElement.dataset.repli;
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "text/html" } });
  } catch {
    window.location.assign(url);  // the network failed: let the browser show what happens
    return;
  }
  if (!response.ok) {
    window.location.assign(url);  // the server's error page says what was wrong
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById(block.id);
  block.replaceChildren(...fresh.childNodes);
  reveal(block);
  history.replaceState(null, "", url);
  const target = document.getElementById(focused) || document.getElementById(fallback);
  if (target) target.focus();
  const summary = block.querySelector("[data-resume]");
  announcer.textContent = summary ? summary.textContent : "";
}

for (const block of document.querySelectorAll("[data-manipulation]")) {
  reveal(block);
  block.addEventListener("submit", (event) => {
    event.preventDefault();
    send(block, event.target, event.submitter);
  });
  // A link inside the block (a suggested start) is answered the same way.
  block.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='?']");
    if (!link) return;
    event.preventDefault();
    const form = block.querySelector("form");
    const url = new URL(link.href);
    for (const [name, value] of url.searchParams) {
      const field = form.elements.namedItem(name);
      if (field) field.value = value;
    }
    send(block, form, null);
  });
  // The slider moves the number field, and the block follows as soon as it is let go.
  block.addEventListener("input", (event) => {
    const slider = event.target.closest("[data-curseur]");
    if (slider) document.getElementById(slider.dataset.curseur).value = slider.value;
  });
  block.addEventListener("change", (event) => {
    const slider = event.target.closest("[data-curseur]");
    if (slider) slider.form.requestSubmit();
  });
}
