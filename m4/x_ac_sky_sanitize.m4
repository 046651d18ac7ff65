# X_AC_SKY_SANITIZE: --enable-sanitizers builds everything with ASan and UBSan,
# so CI can run the same test suite once more under the sanitizers.
AC_DEFUN([X_AC_SKY_SANITIZE], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers], [build with AddressSanitizer and UndefinedBehaviorSanitizer])],
    [], [enable_sanitizers=no])
  AS_IF([test "x$enable_sanitizers" = xyes], [
    SANITIZE_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    SANITIZE_LDFLAGS="-fsanitize=address,undefined"
  ])
  AC_SUBST([SANITIZE_CFLAGS])
  AC_SUBST([SANITIZE_LDFLAGS])
  AM_CONDITIONAL([SANITIZE], [test "x$enable_sanitizers" = xyes])
])
