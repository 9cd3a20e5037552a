//! The queries of network paths and their analyses. A path's question and an analysis's answer
//! are JSON texts, read back whole.

use xconnect_model::connectivity::{NetworkPath, PathAnalysis};
use xconnect_model::*;

use crate::Tx;
use crate::row::{desc, name_value, opt_name, text, ts};
use crate::sql::{Row, binds};

fn json<T: serde::de::DeserializeOwned>(row: &Row, col: &str) -> Result<T> {
    serde_json::from_str(&text(row, col)?).map_err(|e| Error::internal(format!("stored {col} did not decode: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("a model value serialises")
}

fn network_path_row(row: &Row) -> Result<NetworkPath> {
    Ok(NetworkPath {
        id: NetworkPathId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        name: opt_name(row)?,
        description: desc(row)?,
        question: json(row, "question")?,
        created_at: ts(row, "created_at")?,
    })
}

fn path_analysis_row(row: &Row) -> Result<PathAnalysis> {
    Ok(PathAnalysis {
        id: PathAnalysisId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        network_path_id: NetworkPathId::from_trusted(text(row, "network_path_id")?),
        answer: json(row, "answer")?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn network_path_insert(&mut self, p: &NetworkPath) -> Result<()> {
        self.execute(
            "INSERT INTO network_paths (id, account_id, name, description, question, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            binds![
                p.id.to_string(),
                p.account_id.to_string(),
                name_value(&p.name),
                p.description.as_str().to_owned(),
                to_json(&p.question),
                p.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn network_path_get(&mut self, id: &NetworkPathId) -> Result<Option<NetworkPath>> {
        self.fetch_optional(
            "SELECT id, account_id, name, description, question, created_at FROM network_paths WHERE id = $1",
            binds![id.to_string()],
            network_path_row,
        )
        .await
    }

    pub async fn network_path_delete(&mut self, id: &NetworkPathId) -> Result<()> {
        self.execute("DELETE FROM network_paths WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    pub async fn path_analysis_count(&mut self, path: &NetworkPathId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM path_analyses WHERE network_path_id = $1", binds![path.to_string()]).await
    }

    pub async fn path_analysis_insert(&mut self, a: &PathAnalysis) -> Result<()> {
        self.execute(
            "INSERT INTO path_analyses (id, account_id, network_path_id, answer, created_at) VALUES ($1, $2, $3, $4, $5)",
            binds![
                a.id.to_string(),
                a.account_id.to_string(),
                a.network_path_id.to_string(),
                to_json(&a.answer),
                a.created_at.millis()
            ],
        )
        .await
        .map(drop)
    }

    pub async fn path_analysis_get(&mut self, id: &PathAnalysisId) -> Result<Option<PathAnalysis>> {
        self.fetch_optional(
            "SELECT id, account_id, network_path_id, answer, created_at FROM path_analyses WHERE id = $1",
            binds![id.to_string()],
            path_analysis_row,
        )
        .await
    }

    pub async fn path_analysis_delete(&mut self, id: &PathAnalysisId) -> Result<()> {
        self.execute("DELETE FROM path_analyses WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }
}
