/*
 * Retour: returns information on a product page.
 *
 *   <script src="https://returns.example.com/public/embed.js" data-store="demo" data-sku="TSHIRT-M" async></script>
 *
 * Optional: data-lang="fr" (else the page's lang), data-country="FR" (the shopper's country, else
 * the store's). The snippet is inserted right after the script tag: one sentence about returning
 * the item (window, fees, the legal right of withdrawal) and a link to the return policy. Style it
 * with the class .retour-returns. Text is set as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-store")) {
    return;
  }
  var base = script.src.replace(/\/public\/embed\.js(\?.*)?$/, "");
  var params = new URLSearchParams({
    sku: script.getAttribute("data-sku") || "",
    country: script.getAttribute("data-country") || "",
    lang: script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || ""
  });
  var url = base + "/public/" + encodeURIComponent(script.getAttribute("data-store")) + "/returnability?" + params;

  var box = document.createElement("div");
  box.className = "retour-returns";
  box.setAttribute("data-retour", "returns");
  box.style.cssText = "border-left:3px solid currentColor;padding:0.25em 0 0.25em 0.75em;margin:0.75em 0;";
  script.parentNode.insertBefore(box, script.nextSibling);

  fetch(url, { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      box.lang = data.language;
      var text = document.createElement("p");
      text.style.margin = "0";
      text.textContent = data.text;
      var link = document.createElement("a");
      link.href = data.policy_url;
      link.textContent = data.policy_link_text;
      link.style.textDecoration = "underline";
      box.appendChild(text);
      box.appendChild(link);
    })
    .catch(function () {
      box.parentNode.removeChild(box); // say nothing rather than something wrong
    });
})();
