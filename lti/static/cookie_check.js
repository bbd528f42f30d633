// LTI in an iframe: continue here if a cookie sticks, else the new-window button stays.
(function () {
  var box = document.getElementById("lti-cookie-check");
  if (!box) return;
  var secure = location.protocol === "https:" ? "; SameSite=None; Secure" : "";
  document.cookie = "lti_cookie_check=1; path=/; max-age=60" + secure;
  if (document.cookie.indexOf("lti_cookie_check=1") !== -1) {
    location.href = box.dataset.authorize;
  }
})();
