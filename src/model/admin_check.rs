use serde::{Deserialize, Serialize};

/// What an admin's check of a hosted database found (H2, H5): `hearken::admin::check`,
/// C `hk_admin_check`, uniffi `admin_check`, the CLI's `hearken admin check`. It changes
/// nothing and shows no row value: names of tables, columns and roles, store ids and
/// counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct AdminCheck {
    /// `true` only when nothing was found: the schema is this library's version, every
    /// store table has its row-level security, every role granted the store tables owns
    /// nothing and bypasses nothing, and no reference is an orphan.
    pub ok: bool,
    /// The store checked (its text id), or `None` for every store of the database.
    pub store: Option<String>,
    /// The schema version installed (`None`: no hearken schema; then nothing else is
    /// checked).
    pub schema_version: Option<i64>,
    /// Whether it is this library's version.
    pub schema_current: bool,
    /// The stores whose rows were checked for orphans.
    pub stores_checked: u64,
    /// The store tables whose row-level security was checked.
    pub tables_checked: u64,
    /// The store tables whose row-level security is not as installed (absent, disabled,
    /// not forced, or without exactly its one store policy); empty when all are.
    pub unsecured_tables: Vec<TableSecurity>,
    /// Every role granted rights on the store tables (the engine's role), with what would
    /// let it past row-level security. None at all is a problem too: no engine could
    /// work (install grants the engine's role).
    pub roles: Vec<RoleCheck>,
    /// The references the schema does not enforce that were checked (one query each).
    pub references_checked: u64,
    /// The orphans found: rows whose reference names no row, counted per store, table,
    /// column and referenced table; empty when there are none.
    pub orphans: Vec<OrphanCount>,
}

/// The row-level security of one store table that is not as installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct TableSecurity {
    /// The table.
    pub table: String,
    /// Whether the table exists.
    pub exists: bool,
    /// Whether row-level security is enabled (`ENABLE ROW LEVEL SECURITY`).
    pub row_security: bool,
    /// Whether it is forced on the table's owner too (`FORCE ROW LEVEL SECURITY`).
    pub forced: bool,
    /// Whether its only policy is the store policy `store_rows` as installed (another
    /// permissive policy would widen what a role sees).
    pub policy: bool,
}

/// A role granted rights on the store tables (the engine's role): it must own nothing
/// and be neither a superuser nor bypass row-level security (H2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct RoleCheck {
    /// The role's name.
    pub role: String,
    /// Whether it is a superuser.
    pub superuser: bool,
    /// Whether it bypasses row-level security (`BYPASSRLS`).
    pub bypass_rls: bool,
    /// The objects of this database it owns (relations, functions, schemas, the database
    /// itself; temporary tables not counted).
    pub owned_objects: u64,
}

/// Rows of one store whose reference (a column the schema does not enforce) names no row
/// of the referenced table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct OrphanCount {
    /// The store's text id (`None`: the store is not in the directory of stores).
    pub store: Option<String>,
    /// The store's key in the database.
    pub store_key: i64,
    /// The table holding the orphans.
    pub table: String,
    /// Its referencing column.
    pub column: String,
    /// The table the column refers to.
    pub references: String,
    /// How many rows.
    pub rows: u64,
}

impl AdminCheck {
    /// The number of problems found: one for a schema that is absent or not this
    /// library's version, one per unsecured table, per role that owns or bypasses, per
    /// orphan count, and one when no role is granted the store tables.
    pub fn problems(&self) -> usize {
        usize::from(!self.schema_current)
            + self.unsecured_tables.len()
            + self.roles.iter().filter(|r| !r.is_safe()).count()
            + usize::from(self.schema_version.is_some() && self.roles.is_empty())
            + self.orphans.len()
    }
}

impl RoleCheck {
    /// Owns nothing, no superuser, no `BYPASSRLS`.
    pub fn is_safe(&self) -> bool {
        !self.superuser && !self.bypass_rls && self.owned_objects == 0
    }
}
