/* cgroups: see issue 3. */
typedef int cell_cgroups_placeholder;
