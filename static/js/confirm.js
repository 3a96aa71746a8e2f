/*
 * Asking before a destructive or irreversible action (docs/conventions.md, "Asking first").
 *
 * A link marked data-confirm points at the action's own address, whose GET is a page saying
 * what will happen, with the form that does it: without JavaScript the link opens that page.
 * Here the same page is fetched as a fragment and shown in a modal <dialog> instead, so the
 * person stays on the list. The dialog is labelled by the fragment's heading and described by
 * its consequences; focus goes to the first field (a reason) or to Cancel, never to the button
 * that acts; Escape and Cancel close it and focus returns to the link. A form whose view names
 * an htmx target posts through htmx into that part of the page; the dialog then closes and
 * focus moves to what replaced the row when the link itself went with it. If the fragment
 * can't be fetched, the link is followed and the page explains.
 */
(function () {
  "use strict";

  var dialog = null;
  var body = null;
  var opener = null;
  var swapTarget = "";

  function focusable(element) {
    if (!element.hasAttribute("tabindex") && !element.matches("a[href], button, input, select, textarea")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function restoreFocus() {
    var back = opener;
    var target = swapTarget ? document.querySelector(swapTarget) : null;
    opener = null;
    swapTarget = "";
    if (back && back.isConnected) {
      back.focus();
    } else if (target) {
      focusable(target);
    }
  }

  function ensureDialog() {
    if (dialog) {
      return;
    }
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.setAttribute("aria-describedby", "confirm-what");
    body = document.createElement("div");
    body.className = "confirm-dialog-body";
    dialog.appendChild(body);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      body.replaceChildren();
      restoreFocus();
    });
    dialog.addEventListener("click", function (event) {
      var cancel = event.target.closest("[data-confirm-cancel]");
      if (cancel && body.contains(cancel)) {
        event.preventDefault();
        dialog.close();
      }
    });
  }

  function show(html, link) {
    body.innerHTML = html;
    if (!body.querySelector("#confirm-title")) {
      throw new Error("Not a confirmation");
    }
    var form = body.querySelector("form");
    swapTarget = form ? form.getAttribute("hx-target") || "" : "";
    if (window.htmx) {
      window.htmx.process(body);
    }
    opener = link;
    dialog.showModal();
    var first = body.querySelector("input:not([type=hidden]), textarea, select")
      || body.querySelector("[data-confirm-cancel]");
    if (first) {
      first.focus();
    }
  }

  function open(link) {
    ensureDialog();
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        // A redirect (signed out meanwhile: the sign-in page) or a refusal is for the page.
        if (!response.ok || response.redirected) {
          throw new Error("No confirmation to show: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        link.removeAttribute("aria-busy");
        show(html, link);
      })
      .catch(function () {
        // The page itself says what went wrong (signed out, no longer allowed, gone).
        window.location.assign(link.href);
      });
  }

  function announce(links) {
    links.forEach(function (link) {
      link.setAttribute("aria-haspopup", "dialog");
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (!link || event.defaultPrevented || event.button !== 0
        || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey
        || typeof HTMLDialogElement !== "function") {
      return;  // a new tab or window gets the page, as without JavaScript
    }
    event.preventDefault();
    open(link);
  });

  // After an htmx answer to the dialog's form: close it if the answer was shown on the page
  // (a success, or a refusal the row now explains), otherwise say so in the dialog.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!dialog || !dialog.open || !body.contains(event.detail.elt)) {
      return;
    }
    if (event.detail.successful) {
      dialog.close();
      return;
    }
    var problem = document.createElement("p");
    problem.className = "alert alert-danger mt-3 mb-0";
    problem.setAttribute("role", "alert");
    problem.textContent = "This could not be done. Reload the page to see where things stand.";
    body.appendChild(problem);
  });

  document.addEventListener("DOMContentLoaded", function () {
    announce(document.querySelectorAll("a[data-confirm]"));
  });
  document.addEventListener("htmx:load", function (event) {
    announce(event.detail.elt.querySelectorAll ? event.detail.elt.querySelectorAll("a[data-confirm]") : []);
  });
}());
