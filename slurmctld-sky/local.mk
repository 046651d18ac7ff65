# slurmctld-sky/ build fragment (included by the top Makefile.am).
