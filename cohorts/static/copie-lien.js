// « Copier le lien » : the button is hidden (its wrapper: the DSFR's .fr-btn would override
// `hidden` on the button itself) until this script runs, so that without JavaScript the page
// offers only what works there: the link in a read-only field.
for (const button of document.querySelectorAll("[data-copie]")) {
  const field = document.getElementById(button.dataset.copie);
  const status = document.getElementById(button.dataset.copie + "-statut");
  button.parentElement.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Lien copié dans le presse-papiers.";
    } catch {
      field.select();
      status.textContent = "Copie impossible : le lien est sélectionné, copiez-le avec Ctrl+C.";
    }
  });
}
