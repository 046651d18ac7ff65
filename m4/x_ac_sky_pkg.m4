# X_AC_SKY_PKG(VAR, PKG-CONFIG-NAME, DEBIAN-PACKAGE)
# Look a library up with pkg-config and fail with the Debian package to install.
AC_DEFUN([X_AC_SKY_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found by pkg-config: install the Debian package $3])])
])
