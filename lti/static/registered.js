// LTI Dynamic Registration: tell the LMS's page that the registration is over.
(window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
