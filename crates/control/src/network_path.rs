//! Network paths and their analyses: a connectivity question saved under a name, and its answers
//! kept as they were given (Alibaba Cloud NIS's network paths and reachability analyses). An
//! analysis asks the question through `connectivity_test`: the analyzer's rules are not repeated.

use xconnect_model::connectivity::{NetworkPath, PathAnalysis};
use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{Deleted, changeable, counted, description, opt_name, unused, visible};
use crate::{Audited, Caller, Control, new_id, now};

impl Audited for NetworkPath {
    fn audited_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

impl Audited for PathAnalysis {
    fn audited_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

impl Control {
    /// Saves a question about one of the caller's instances or data centre hosts. It is checked
    /// as a connectivity test checks it, and its source must be the caller's (or, for the
    /// operator, anyone's) now; what it finds is the analyses' business.
    pub async fn network_path_create(&self, caller: &Caller, req: NetworkPathCreateRequest) -> Result<NetworkPath> {
        let input = (|| -> Result<_> {
            crate::connectivity::question(&req.question)?;
            Ok((opt_name("name", &req.name)?, description(&req.description)?, req.question.clone()))
        })();
        self.mutate(
            caller,
            "network_path_create",
            input,
            tx!(|tx, caller, (name, description, question)| {
                if let Some(id) = &question.from_instance_id {
                    let id = InstanceId::from_trusted(id.clone());
                    visible(caller, tx.instance_get(&id).await?, |i| &i.account_id, InstanceId::KIND, &id)?;
                }
                if let Some(id) = &question.from_host_id {
                    let id = DataCentreHostId::from_trusted(id.clone());
                    visible(
                        caller,
                        tx.data_centre_host_get(&id).await?,
                        |h| &h.account_id,
                        DataCentreHostId::KIND,
                        &id,
                    )?;
                }
                let path = NetworkPath {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    name,
                    description,
                    question,
                    created_at: now(),
                };
                tx.network_path_insert(&path).await?;
                Ok(path)
            }),
        )
        .await
    }

    pub async fn network_path_get(&self, caller: &Caller, id: &str) -> Result<NetworkPath> {
        let id = NetworkPathId::parse("network_path_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| visible(
                caller,
                tx.network_path_get(&id).await?,
                |p| &p.account_id,
                NetworkPathId::KIND,
                &id
            )),
        )
        .await
    }

    /// Deletes a path with no analyses left: an analysis names the question it answered.
    pub async fn network_path_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = NetworkPathId::parse("network_path_id", id);
        self.mutate(
            caller,
            "network_path_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.network_path_get(&id).await?, |p| &p.account_id, NetworkPathId::KIND, &id)?;
                let analyses = tx.path_analysis_count(&id).await?;
                unused(format!("network path {id}"), counted(&[("analyses", analyses)]))?;
                tx.network_path_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }

    /// Asks a path's question now and keeps the answer. The answer is the analyzer's as the
    /// caller may see it (another account's network in words only), as a connectivity test's is.
    pub async fn path_analysis_create(&self, caller: &Caller, network_path_id: &str) -> Result<PathAnalysis> {
        let path = self.network_path_get(caller, network_path_id).await?;
        let answer = self.connectivity_test(caller, path.question.clone()).await?;
        self.mutate(
            caller,
            "path_analysis_create",
            Ok((path.id, answer)),
            tx!(|tx, caller, (path_id, answer)| {
                // The path may have gone while the question was asked.
                changeable(
                    caller,
                    tx.network_path_get(&path_id).await?,
                    |p| &p.account_id,
                    NetworkPathId::KIND,
                    &path_id,
                )?;
                let analysis = PathAnalysis {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    network_path_id: path_id,
                    answer,
                    created_at: now(),
                };
                tx.path_analysis_insert(&analysis).await?;
                Ok(analysis)
            }),
        )
        .await
    }

    pub async fn path_analysis_get(&self, caller: &Caller, id: &str) -> Result<PathAnalysis> {
        let id = PathAnalysisId::parse("path_analysis_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| visible(
                caller,
                tx.path_analysis_get(&id).await?,
                |a| &a.account_id,
                PathAnalysisId::KIND,
                &id
            )),
        )
        .await
    }

    pub async fn path_analysis_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = PathAnalysisId::parse("path_analysis_id", id);
        self.mutate(
            caller,
            "path_analysis_delete",
            input,
            tx!(|tx, caller, id| {
                changeable(caller, tx.path_analysis_get(&id).await?, |a| &a.account_id, PathAnalysisId::KIND, &id)?;
                tx.path_analysis_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }
}
